"""The kindergarten keywords (BE, CAN, DAN, DON) and the kindergarten forms of DIEM, KQ, NX, RL, VANG."""
