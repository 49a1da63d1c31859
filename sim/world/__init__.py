"""The world the members live in, lowest layer: content items, the tie graph, random streams,
compiled kernels, the day's measurements, and the uncertainties the operator does not control."""
