"""Primary schools (tiểu học, Thông tư 27/2020): the rules (tt27) and the queries over the assessments."""
