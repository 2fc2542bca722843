using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Stampede.Identity.Http;

/// <summary>429 Too Many Requests as a problem detail with a <c>Retry-After</c> header (whole seconds).</summary>
public sealed class RetryLater(TimeSpan retryAfter, string detail) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public TimeSpan RetryAfter { get; } = retryAfter;
    public int? StatusCode => StatusCodes.Status429TooManyRequests;

    public Task ExecuteAsync(HttpContext httpContext) =>
        RetryAfterProblem.ExecuteAsync(httpContext, StatusCodes.Status429TooManyRequests, "Too many requests", RetryAfter, detail);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(ProblemDetails), ["application/problem+json"]));
}
