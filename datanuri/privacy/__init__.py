"""De-identification engine: detect personal data, transform it, check privacy models, measure
risk and find the optimal generalisation. Pure logic over Arrow tables; no database or web code."""
