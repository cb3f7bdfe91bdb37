DROP TABLE on_duty;
