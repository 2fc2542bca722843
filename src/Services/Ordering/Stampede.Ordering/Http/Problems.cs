using Microsoft.AspNetCore.Http.HttpResults;

namespace Stampede.Ordering.Http;

/// <summary>The problem answers ordering gives besides validation errors.</summary>
public static class Problems
{
    public static ProblemHttpResult CatalogUnavailable() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Catalog unavailable",
        detail: "Prices could not be checked with catalog right now; try again shortly.");

    public static ProblemHttpResult OrderNotFound(Guid orderId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Order not found", detail: $"There is no order {orderId}.");

    public static ProblemHttpResult Conflict(string title, string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);
}
