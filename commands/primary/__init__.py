"""The primary school (TT27) forms of DIEM, KQ, NX and RL."""
