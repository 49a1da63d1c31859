"""Real communities: activity logs (reading, writing, the statistics both sides are measured by)
and calibration of the model against them."""
