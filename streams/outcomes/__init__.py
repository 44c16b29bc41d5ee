"""Call outcomes -> flags, unmet-need updates, alerts and referrals."""
