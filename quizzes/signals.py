"""Signals other apps listen to (apps higher up may read quizzes; quizzes never imports them).

`attempt_graded` is sent, after the transaction commits, once an attempt has its final
score: when it is finished and every answer is marked (immediately for auto-marked
quizzes, after the last essay is marked otherwise). Arguments: `attempt` — with `user`,
`quiz` (`kind`, `field`), `score` (0–100), `passed`, `finished_at`.
"""

from django.dispatch import Signal

attempt_graded = Signal()
