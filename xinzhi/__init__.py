"""新质 Xinzhi — the industrial S&T innovation platform."""
