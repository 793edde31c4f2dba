# Cluster runs: the Slurm test starts a small cluster on 127.0.0.1.
DEB_TEST_PACKAGES += munge slurmctld slurmd slurm-client
