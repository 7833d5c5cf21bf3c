"""The community keywords: BC and KQBC (polls and sign-ups), GY (góp ý), TL, THEO and BO (the forum)."""
