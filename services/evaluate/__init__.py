"""`tecflow evaluate`: a recorded home replayed through the gateway's zigbee2mqtt parser,
the equipment register and the stream processors, with incidents written into the log
on request, to count false alerts and detections."""
