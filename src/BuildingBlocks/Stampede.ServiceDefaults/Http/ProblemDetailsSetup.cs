using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Stampede.ServiceDefaults.Http;

public static class ProblemDetailsSetup
{
    public static void AddStampedeProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString();
            context.ProblemDetails.Extensions["requestId"] = context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<UnhandledExceptionHandler>();
    }
}

/// <summary>Turns the framework's bad-request exceptions (malformed JSON, wrong types, body too
/// large) into a problem detail that says what was wrong, without internals.</summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad) return false;
        var problem = new ProblemDetails
        {
            Status = bad.StatusCode,
            Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Malformed request",
            Detail = Describe(bad),
        };
        if (FindJson(bad) is { Path: { } path })
            problem.Extensions["field"] = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static string Describe(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge) return "The request body exceeds the allowed size.";
        if (FindJson(bad) is { } json)
            return json.Path is { Length: > 0 } path
                ? $"The JSON body is invalid at '{path}'."
                : "The request body is not valid JSON.";
        return bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
            ? "The request body is missing or not valid JSON."
            : "The request is malformed: " + bad.Message;
    }

    private static JsonException? FindJson(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is JsonException json) return json;
        return null;
    }
}

/// <summary>Last resort: log everything, tell the caller nothing internal.</summary>
internal sealed class UnhandledExceptionHandler(IProblemDetailsService problems, ILogger<UnhandledExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499;
            return true;
        }
        logger.LogError(exception, "Unhandled exception on {Method} {Path}", context.Request.Method, context.Request.Path);
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = 500, Title = "Internal error", Detail = "The request failed; it has been logged with its request id." },
        });
    }
}
