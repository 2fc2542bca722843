using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Stampede.ServiceDefaults.Input;

/// <summary>Answers 400 with a validation problem naming the parameter when a query string or route
/// value (after percent-decoding) holds a control character, before any endpoint binds it. Runs after
/// routing (which the host places first), so route values are known.</summary>
public sealed class ControlCharacterMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (FirstBadField(context) is { } field)
        {
            var message = ControlCharacters.Message(allowLineBreaks: false);
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [field] = [message] },
                title: "The request is invalid.",
                detail: $"See errors for the fields to correct: {field}.").ExecuteAsync(context);
        }
        return next(context);
    }

    private static string? FirstBadField(HttpContext context)
    {
        foreach (var (key, values) in context.Request.Query)
        {
            // A control character in the name itself cannot be named back safely.
            if (ControlCharacters.Contains(key, allowLineBreaks: false)) return "query";
            foreach (var value in values)
                if (ControlCharacters.Contains(value, allowLineBreaks: false)) return key;
        }
        foreach (var (key, value) in context.GetRouteData().Values)
            if (value is string text && ControlCharacters.Contains(text, allowLineBreaks: false)) return key;
        return null;
    }
}
