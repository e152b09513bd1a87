"""Every write of sales data: orders and their lines, returns, service episodes, and the standing per
store each customer's sales give her."""

from sales.services.standing import refresh_store_relationships

__all__ = ["refresh_store_relationships"]
