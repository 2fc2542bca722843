namespace Stampede.Ordering.Orders;

/// <summary>Where an order stands in the saga. The names are the API's status strings.</summary>
public enum OrderStatus
{
    AwaitingStock,
    AwaitingPayment,
    Paid,
    Cancelling,
    Cancelled,
    Expired,
    Rejected,
    Failed,
}
