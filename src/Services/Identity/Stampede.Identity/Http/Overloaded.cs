using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Stampede.Identity.Http;

/// <summary>503 Service Unavailable as a problem detail with a <c>Retry-After</c> header: the work is
/// refused for now to protect the rest of the service, not because of the request.</summary>
public sealed class Overloaded(TimeSpan retryAfter, string detail) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public TimeSpan RetryAfter { get; } = retryAfter;
    public int? StatusCode => StatusCodes.Status503ServiceUnavailable;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalSeconds));
        httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Service busy",
            detail: detail,
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds }).ExecuteAsync(httpContext);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(ProblemDetails), ["application/problem+json"]));
}
