using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stampede.ServiceDefaults.Auth;
using Stampede.ServiceDefaults.Health;
using Stampede.ServiceDefaults.Http;
using Stampede.ServiceDefaults.Input;
using Stampede.ServiceDefaults.Telemetry;

namespace Stampede.ServiceDefaults;

/// <summary>What every Stampede service gets in three lines: <c>AddServiceDefaults</c>,
/// <c>UseServiceDefaults</c>, <c>MapServiceDefaults</c>.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Structured JSON logs, OpenTelemetry (see <see cref="ServiceTelemetry"/>), problem details,
    /// health checks, OpenAPI, JWT validation, request limits and graceful shutdown.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddSingleton(new ServiceInfo(serviceName));
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options =>
        {
            options.IncludeScopes = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.AddServiceTelemetry(serviceName);

        builder.Services.Configure<JsonOptions>(options =>
        {
            options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        });

        builder.AddRequestLimits();
        builder.Services.AddInputGuard();
        builder.Services.AddStampedeProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddOpenApi();
        builder.AddJwtAuthentication();

        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(20));
        return builder;
    }

    /// <summary>The middleware every service runs, in order: request id, error handling, the control-character
    /// guard for query and route values, authentication.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        // JSON answers echo user text (names, reasons) unescaped for HTML: never let a browser sniff them as HTML.
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseInputGuard();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Health endpoints, <c>/metrics</c>, the OpenAPI document and the API explorer.</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/openapi/v1.json", app.Services.GetRequiredService<ServiceInfo>().Name);
            options.RoutePrefix = "swagger";
        });
        return app;
    }
}

/// <summary>The name of the running service, as it appears in logs and health output.</summary>
public sealed record ServiceInfo(string Name);
