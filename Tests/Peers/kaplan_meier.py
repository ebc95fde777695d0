"""Kaplan-Meier by lifelines, the independent implementation the metrics are checked against.

Reads `days,finished` lines (finished 1 or 0) on standard input; prints one line per step of
the survival function (`days survival`) and then `median <days or inf>`.
"""
import sys

from lifelines import KaplanMeierFitter

durations, events = [], []
for line in sys.stdin:
    days, finished = line.split(",")
    durations.append(float(days))
    events.append(int(finished))
fitter = KaplanMeierFitter().fit(durations, event_observed=events)
for days, survival in fitter.survival_function_["KM_estimate"].items():
    print(f"{float(days)!r} {float(survival)!r}")
print(f"median {float(fitter.median_survival_time_)!r}")
