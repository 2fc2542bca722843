using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;

namespace Stampede.ServiceDefaults.Http;

/// <summary>The one way a service calls another over HTTP: through Microsoft.Extensions.Http.Resilience,
/// over every instance of the peer.
/// <code>
/// total timeout → retry (see MayRetry) → pick an instance → that instance's breaker → attempt timeout → send, read the answer
/// </code>
/// The standard pipeline's strategies, split around the instance choice so that each retry may go to
/// another instance and a dead instance opens only its own breaker.</summary>
public static class InternalClients
{
    /// <summary>A typed client of the peer <paramref name="service"/>, whose instances are listed in
    /// <c>Services:{service}</c> (one or more base URLs separated by commas).</summary>
    public static IHttpClientBuilder AddInternalClient<TClient>(this IServiceCollection services, string service,
        Action<InternalCallSettings>? defaults = null) where TClient : class
    {
        var setting = $"Services:{service}";
        return services.AddHttpClient<TClient>()
            .AddResilientCalls(service, setting, provider => provider.GetRequiredService<IConfiguration>()[setting], defaults);
    }

    /// <summary>Puts a client's calls through the resilience pipeline, over the base URLs that
    /// <paramref name="addresses"/> reads (the value of <paramref name="setting"/>, named in errors).
    /// Fails start-up when the list or the <c>InternalCalls:{name}</c> settings are invalid.</summary>
    public static IHttpClientBuilder AddResilientCalls(this IHttpClientBuilder builder, string name, string setting,
        Func<IServiceProvider, string?> addresses, Action<InternalCallSettings>? defaults = null)
    {
        builder.Services.AddKeyedSingleton(name, (provider, _) => ServiceInstances.Parse(setting, addresses(provider)));
        builder.Services.AddOptions<InternalCallSettings>(name)
            .Configure(defaults ?? (_ => { }))
            .BindConfiguration($"{InternalCallSettings.Section}:{name}")
            .Validate(settings => settings.IsValid,
                $"{InternalCallSettings.Section}:{name} must have positive timeouts, MaxRetries >= 0, BreakerFailureRatio in (0, 1], " +
                "BreakerMinimumThroughput >= 2, and BreakerSamplingDuration and BreakDuration of at least 0.5 s.")
            // Resolving the list here makes a missing or malformed one fail start-up, with the parser's message.
            .Validate<IServiceProvider>((_, provider) => provider.GetRequiredKeyedService<ServiceInstances>(name).Addresses.Count > 0)
            .ValidateOnStart();

        builder.ConfigureHttpClient((provider, http) =>
        {
            http.BaseAddress = provider.GetRequiredKeyedService<ServiceInstances>(name).Addresses[0];
            http.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's timeouts bound every call
        });

        builder.AddResilienceHandler("calls", (pipeline, context) =>
        {
            var settings = context.GetOptions<InternalCallSettings>(name);
            pipeline.AddTimeout(new HttpTimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(InternalCalls.TimeoutOf(args.Context.GetRequestMessage()) ?? settings.Timeout),
            });
            if (settings.MaxRetries > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = settings.MaxRetries,
                    Delay = settings.RetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    // A peer's Retry-After may exceed the whole call's timeout; the breaker handles a peer that asks for rest.
                    ShouldRetryAfterHeader = false,
                    ShouldHandle = args => ValueTask.FromResult(MayRetry(args.Outcome, args.Context)),
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(WasNotSent(args.Outcome) ? TimeSpan.Zero : null),
                });
            }
        });

        builder.AddHttpMessageHandler(provider => new ServiceInstanceHandler(provider.GetRequiredKeyedService<ServiceInstances>(name)));

        builder.AddResilienceHandler("instance", (pipeline, context) =>
        {
            var settings = context.GetOptions<InternalCallSettings>(name);
            pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = settings.BreakerFailureRatio,
                MinimumThroughput = settings.BreakerMinimumThroughput,
                SamplingDuration = settings.BreakerSamplingDuration,
                BreakDuration = settings.BreakDuration,
            });
            pipeline.AddTimeout(new HttpTimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(
                    args.Context.GetRequestMessage() is { } request && InternalCalls.MayRepeat(request) ? settings.AttemptTimeout : Timeout.InfiniteTimeSpan),
            });
        }).SelectPipelineByAuthority();

        builder.AddHttpMessageHandler(() => new ResponseBuffering());

        return builder;
    }

    /// <summary>A call is repeated when nothing reached the peer (the connection was refused, or the
    /// instance's breaker is open), or when it may be repeated and failed transiently (5xx, 408, 429, a
    /// broken connection, an attempt timeout). A POST that may have reached the peer is never repeated.</summary>
    private static bool MayRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (context.CancellationToken.IsCancellationRequested) return false;
        if (WasNotSent(outcome)) return true;
        return context.GetRequestMessage() is { } request && InternalCalls.MayRepeat(request) && HttpClientResiliencePredicates.IsTransient(outcome);
    }

    private static bool WasNotSent(Outcome<HttpResponseMessage> outcome) => outcome.Exception is BrokenCircuitException
        or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
}
