"""allocsim."""
