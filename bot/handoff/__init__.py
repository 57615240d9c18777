"""Hỏi cán bộ: citizens' questions handed to officers, the answer queue, and learning from what search missed."""
