using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Stampede.Contracts;

namespace Stampede.Messaging;

/// <summary>Declares, in the service's module, what the service publishes and which handlers it runs.</summary>
public sealed class MessagingBuilder
{
    private readonly MessagingRegistry registry;

    internal MessagingBuilder(IServiceCollection services, MessagingRegistry registry)
    {
        Services = services;
        this.registry = registry;
    }

    /// <summary>The service collection, for further registrations.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The service's name as given to AddMessaging.</summary>
    public string ServiceName => registry.ServiceName;

    /// <summary>Declares an event this service publishes (through <see cref="IOutbox"/>, a handler's
    /// <see cref="MessageContext.PublishAsync{TEvent}"/> or <see cref="IEventPublisher"/>). Until some
    /// queue is bound to the event, the broker returns it and its outbox row stays unsent (the relay
    /// tries it again later; a direct publish throws <see cref="UnroutableMessageException"/>).
    /// <paramref name="mayHaveNoSubscriber"/> true is for an event nobody may consume yet: it is then
    /// sent and, with no queue bound, dropped.</summary>
    public MessagingBuilder Publishes<TEvent>(bool mayHaveNoSubscriber = false) where TEvent : IntegrationEvent
    {
        registry.AddPublished(typeof(TEvent), mayHaveNoSubscriber);
        return this;
    }

    /// <summary>Subscribes <typeparamref name="THandler"/> to <typeparamref name="TEvent"/>: a durable
    /// quorum queue <c>{service}.{subscription}</c> bound to the event's name. <paramref name="subscription"/>
    /// defaults to the event name; give one only when a second handler of the same event needs its own queue.</summary>
    public MessagingBuilder Handles<TEvent, THandler>(string? subscription = null)
        where TEvent : IntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        registry.AddSubscription(Subscription.For<TEvent, THandler>(registry.ServiceName, subscription));
        Services.TryAddScoped<THandler>();
        return this;
    }

    /// <summary>Overrides options in code (after configuration is bound), e.g. retry delays in tests.</summary>
    public MessagingBuilder Configure(Action<MessagingOptions> configure)
    {
        Services.PostConfigure(configure);
        return this;
    }
}

/// <summary>Registration of the messaging building block.</summary>
public static class MessagingRegistration
{
    /// <summary>Adds integration events over RabbitMQ for the service <paramref name="serviceName"/>: the
    /// outbox (<see cref="IOutbox"/>) and its relay, the consumers of the declared handlers with their
    /// inbox, retries and dead letters, the <see cref="IEventPublisher"/>, the messaging schema, metrics
    /// and the "rabbitmq" readiness check. The broker is <c>ConnectionStrings:RabbitMQ</c> (amqp URI),
    /// the database the <see cref="Npgsql.NpgsqlDataSource"/> registered in DI; options come from the
    /// <c>Messaging</c> section.</summary>
    public static MessagingBuilder AddMessaging(this WebApplicationBuilder builder, string serviceName) =>
        AddMessaging((IHostApplicationBuilder)builder, serviceName);

    /// <inheritdoc cref="AddMessaging(WebApplicationBuilder, string)"/>
    public static MessagingBuilder AddMessaging(this IHostApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Messaging:ServiceName overrides the name (it prefixes the queues): tests and a second
        // deployment on one broker give each host its own queues this way.
        if (builder.Configuration["Messaging:ServiceName"] is { Length: > 0 } configured) serviceName = configured;
        if (string.IsNullOrWhiteSpace(serviceName) || !serviceName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException("A service name is lower-case letters, digits, '-' and '_' (it prefixes queue names).", nameof(serviceName));
        }

        var services = builder.Services;
        var registry = new MessagingRegistry(serviceName);
        services.AddSingleton(registry);
        services.AddOptions<MessagingOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            var section = configuration.GetSection("Messaging");
            section.Bind(options);
            // The binder appends to a default array; configured delays replace it.
            options.RetryDelays = ConfiguredDelays(section, nameof(MessagingOptions.RetryDelays)) ?? options.RetryDelays;
            options.TransientRetryDelays = ConfiguredDelays(section, nameof(MessagingOptions.TransientRetryDelays)) ?? options.TransientRetryDelays;

            options.ServiceName = serviceName;
            options.BrokerUri = configuration.GetConnectionString("RabbitMQ");
        });

        services.AddMetrics();
        services.AddSingleton(provider => new MessagingTelemetry(
            provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), serviceName));
        services.AddSingleton<BrokerConnection>();
        services.AddSingleton<ConfirmedPublisher>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IOutbox, PostgresOutbox>();
        services.AddSingleton<IEventPublisher, BrokerEventPublisher>();
        services.AddSingleton<MessageConsumers>();

        // Start order matters: the schema exists before the relay and the consumers touch it.
        services.AddHostedService<MessagingSchemaInitializer>();
        services.AddHostedService<OutboxRelay>();
        services.AddHostedService(provider => provider.GetRequiredService<MessageConsumers>());
        services.AddHostedService<RetentionCleanup>();

        services.AddHealthChecks().AddCheck<RabbitMqHealthCheck>("rabbitmq", HealthStatus.Unhealthy, ["ready"]);
        return new MessagingBuilder(services, registry);
    }

    private static TimeSpan[]? ConfiguredDelays(IConfigurationSection section, string key) =>
        section.GetSection(key).GetChildren().ToList() is { Count: > 0 } delays
            ? [.. delays.Select(delay => TimeSpan.Parse(delay.Value!, System.Globalization.CultureInfo.InvariantCulture))]
            : null;
}
