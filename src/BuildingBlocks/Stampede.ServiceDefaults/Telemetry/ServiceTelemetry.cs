using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Stampede.ServiceDefaults.Telemetry;

/// <summary>OpenTelemetry for every service: traces, metrics and logs over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard <c>OTEL_*</c> variables apply), and the
/// metrics on <c>/metrics</c> for Prometheus in any case.</summary>
public static class ServiceTelemetry
{
    /// <summary>Name of the messaging building block's ActivitySource and Meter (<c>MessagingTelemetry.Name</c>;
    /// repeated here because the defaults do not reference the messaging block).</summary>
    public const string MessagingSource = "Stampede.Messaging";

    /// <summary>Npgsql's Meter.</summary>
    public const string NpgsqlMeter = "Npgsql";

    /// <summary>The standard variable that switches the OTLP export on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>True when this process exports over OTLP (and so records traces).</summary>
    public static bool Exports(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);

    /// <summary>Adds a service's own ActivitySource and Meter, both named <paramref name="name"/>, to
    /// what is recorded and exported.</summary>
    public static IServiceCollection AddTelemetrySource(this IServiceCollection services, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(name));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(name));
        return services;
    }

    internal static void AddServiceTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        var exports = Exports(builder.Configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: InstanceId(builder.Configuration)))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(NpgsqlMeter, MessagingSource)
                .AddPrometheusExporter());

        // Without an exporter, recorded spans would only cost time: traces and OTLP logs only when exported.
        if (!exports)
        {
            return;
        }

        telemetry
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsPlumbing(context.Request.Path))
                .AddHttpClientInstrumentation(options => options.FilterHttpRequestMessage =
                    request => request.RequestUri is not { } uri || !IsPlumbing(new PathString(uri.AbsolutePath)))
                .AddNpgsql()
                .AddSource(MessagingSource))
            .WithLogging(logging => { }, options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
            })
            .UseOtlpExporter();
    }

    /// <summary>Health probes and scrapes come every few seconds from machines, not users: no spans for them.</summary>
    private static bool IsPlumbing(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(MetricsEndpoint.Path, StringComparison.OrdinalIgnoreCase);

    /// <summary>Database commands outside any request or message (the outbox relay's polling, the
    /// inbox insert, migrations) would each be a trace of their own, many per second: only commands
    /// within a traced operation make spans.</summary>
    internal static NpgsqlDataSourceBuilder TraceOnlyWithinOperations(this NpgsqlDataSourceBuilder builder) =>
        builder.ConfigureTracing(tracing => tracing
            .ConfigureCommandFilter(_ => System.Diagnostics.Activity.Current is not null)
            .ConfigureBatchFilter(_ => System.Diagnostics.Activity.Current is not null));

    /// <summary>Several replicas of a service run at once: host and port tell them apart (a GUID when
    /// the port is not known, e.g. in-memory test servers).</summary>
    private static string InstanceId(IConfiguration configuration)
    {
        var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? configuration["http_ports"];
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (first is not null && Uri.TryCreate(first.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            && uri.Port > 0)
        {
            return $"{Environment.MachineName}:{uri.Port}";
        }

        return first is not null && int.TryParse(first, out var port) && port > 0 ? $"{Environment.MachineName}:{port}" : Guid.NewGuid().ToString("N");
    }
}
