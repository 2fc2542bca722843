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

    public Task ExecuteAsync(HttpContext httpContext) =>
        RetryAfterProblem.ExecuteAsync(httpContext, StatusCodes.Status503ServiceUnavailable, "Service busy", RetryAfter, detail);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(ProblemDetails), ["application/problem+json"]));
}
