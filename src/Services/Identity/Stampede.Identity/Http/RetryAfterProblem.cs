using System.Globalization;

namespace Stampede.Identity.Http;

/// <summary>The answer <see cref="RetryLater"/> and <see cref="Overloaded"/> share: a problem detail with a
/// <c>Retry-After</c> header in whole seconds (at least 1), also given as <c>retryAfterSeconds</c>.</summary>
internal static class RetryAfterProblem
{
    public static Task ExecuteAsync(HttpContext httpContext, int status, string title, TimeSpan retryAfter, string detail)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: status, title: title, detail: detail,
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds }).ExecuteAsync(httpContext);
    }
}
