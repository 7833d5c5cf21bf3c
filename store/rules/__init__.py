"""Pure rules and values, no database: the period types (periods), TT22/2021 (tt22: THCS, THPT), TT27/2020
(tt27: tiểu học) and the kindergarten scales (preschool). Property tests drive them directly."""
