"""Broker management: the embedded Kafka-protocol broker, topic creation, publishing."""
