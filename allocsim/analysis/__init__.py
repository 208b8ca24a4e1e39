"""What replications mean: their metrics (`metrics`: from the record tables' arrays, per
window, year and tertial, with summaries over replications) and what a review's data
window can detect (`review`)."""
