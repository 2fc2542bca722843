using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stampede.Identity.Users;
using Stampede.Testing;

namespace Stampede.Identity.Tests.Users;

public sealed class VerificationCodeSecrecyTests(VerificationCodeSecrecyTests.App app) : IClassFixture<VerificationCodeSecrecyTests.App>
{
    public static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    /// <summary>A configured secret, the log captured at Information, and sent codes blanked at once.</summary>
    public sealed class App : IdentityApp
    {
        public ConcurrentQueue<string> Log { get; } = new();

        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [
            new("Identity:VerificationCodeKey", Convert.ToBase64String(Key)),
            new("Identity:SentCodeRetention", "00:00:00"),
            new("Logging:LogLevel:Default", "Information"),
        ];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(Log)));
        }
    }

    [Fact]
    public async Task The_stored_hash_is_keyed_by_the_server_secret_not_by_the_public_user_id()
    {
        var user = await app.RegisterAsync();
        var code = await app.LatestCodeAsync(user.Email);

        var stored = await app.QuerySingleAsync<byte[]>("SELECT code_hash FROM verification_codes WHERE user_id = @id", new { id = user.Id });

        stored.ShouldNotBe(HMACSHA256.HashData(user.Id.ToByteArray(), Encoding.ASCII.GetBytes(code)));
        byte[] message = [.. user.Id.ToByteArray(), .. Encoding.ASCII.GetBytes(code)];
        stored.ShouldBe(HMACSHA256.HashData(Key, message));
        var verified = await app.Client().PostAsJsonAsync("/users/verification", new { email = user.Email, code });
        await verified.ShouldBeAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task The_code_is_not_logged_outside_Development()
    {
        var user = await app.RegisterAsync();
        var code = await app.LatestCodeAsync(user.Email);

        app.Log.ShouldNotBeEmpty("the log is captured at Information");
        app.Log.ShouldNotContain(line => line.Contains(code) && line.Contains(user.Email));
    }

    [Fact]
    public async Task Once_sent_the_plain_code_is_blanked_in_the_outbox()
    {
        var user = await app.RegisterAsync();
        const string Row = "SELECT payload::text FROM messaging.outbox WHERE event_name = 'identity.verification-code-issued.v1' AND payload ->> 'userId' = @id";
        var sent = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await app.QuerySingleAsync<bool>($"SELECT sent_at IS NULL FROM messaging.outbox WHERE event_name = 'identity.verification-code-issued.v1' AND payload ->> 'userId' = @id", new { id = user.Id.ToString() }))
        {
            DateTime.UtcNow.ShouldBeLessThan(sent, "the relay sends the row");
            await Task.Delay(20);
        }

        (await app.Services.GetRequiredService<SentCodeScrubber>().ScrubAsync(CancellationToken.None)).ShouldBeGreaterThanOrEqualTo(1);

        var payload = JsonDocument.Parse(await app.QuerySingleAsync<string>(Row, new { id = user.Id.ToString() })).RootElement;
        payload.GetProperty("code").GetString().ShouldBe("");
        payload.GetProperty("email").GetString().ShouldBe(user.Email);
        (await app.LatestCodeAsync(user.Email)).Length.ShouldBe(6, "the dev mailbox, on in tests, still has it");
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}

public sealed class VerificationCodeKeyStartupTests
{
    private sealed class ProductionApp(string? key) : IdentityApp
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => key is null ? [] : [new("Identity:VerificationCodeKey", key)];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
        }
    }

    private sealed class SharedDatabaseApp(string connectionString) : IdentityApp(connectionString);

    [Theory]
    [InlineData(null)]
    [InlineData("c2hvcnQ=")]
    [InlineData("not base64 at all!")]
    public async Task Outside_Development_a_missing_or_weak_secret_stops_start_up(string? key)
    {
        await using var app = new ProductionApp(key);

        var failure = await Should.ThrowAsync<InvalidOperationException>(Task.Run(() => app.InitializeAsync().AsTask()));

        failure.Message.ShouldContain("Identity:VerificationCodeKey");
    }

    [Fact]
    public async Task A_generated_secret_is_shared_by_instances_on_one_database()
    {
        var connectionString = TestServers.NewDatabase("identity");
        await using var first = new SharedDatabaseApp(connectionString);
        await using var second = new SharedDatabaseApp(connectionString);
        await first.InitializeAsync();
        await second.InitializeAsync();

        var user = await first.RegisterAsync();
        var code = await first.LatestCodeAsync(user.Email);

        await (await second.Client().PostAsJsonAsync("/users/verification", new { email = user.Email, code })).ShouldBeAsync(HttpStatusCode.NoContent);
        (await first.QuerySingleAsync<long>("SELECT count(*) FROM dev_secrets")).ShouldBe(1);
    }
}
