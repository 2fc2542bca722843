namespace Stampede.Messaging.Tests.Infrastructure;

/// <summary>The development servers the test run points at (see `./stampede test`).</summary>
public static class TestServers
{
    public static string Postgres => Read("STAMPEDE_POSTGRES");

    public static string RabbitMq => Read("STAMPEDE_RABBITMQ");

    private static string Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{name} is not set: run the tests through `./stampede test` or `source /tmp/devsrv/env.sh`.");
}
