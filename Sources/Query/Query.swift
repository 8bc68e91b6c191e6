// Placeholder: the expression language lands here.
