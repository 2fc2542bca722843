using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using Stampede.Identity.Keys;
using Stampede.Identity.Tokens;
using Stampede.Identity.Users;
using Stampede.Testing;

namespace Stampede.Identity.Tests.Infrastructure;

/// <summary>The identity service on real Kestrel (loopback), with its own fresh database, the dev
/// mailbox on and a seeded admin. One per test class.</summary>
public class IdentityApp : WebApplicationFactory<IdentityService>, IAsyncLifetime
{
    public const string AdminEmail = "admin@stampede.test";
    public const string AdminPassword = "Correct-Horse-Battery-9";
    public const string Password = "a-Long-enough-Passphrase-1";

    public string ConnectionString { get; }
    public TestClock Clock { get; } = new();

    /// <summary>Settings a test class changes, e.g. <c>Identity:DevMailbox</c>.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    public IdentityApp() : this(TestServers.NewDatabase("identity"))
    {
    }

    /// <summary>An instance on a given database, e.g. a second instance sharing the first one's.</summary>
    protected IdentityApp(string connectionString)
    {
        ConnectionString = connectionString;
        UseKestrel(0);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Postgres", ConnectionString);
        builder.UseSetting("ConnectionStrings:RabbitMQ", TestServers.RabbitMq);
        builder.UseSetting("Identity:DevMailbox", "true");
        builder.UseSetting("Identity:Admin:Email", AdminEmail);
        builder.UseSetting("Identity:Admin:Password", AdminPassword);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Tests sign up many users from 127.0.0.1; the sign-up throttle's own tests lower it again.
        builder.UseSetting("Identity:MaxSignUpsPerIp", "1000000");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
    }

    /// <summary>Where Kestrel listens (a loopback port chosen at start).</summary>
    public Uri Address { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        StartServer();
        Address = new Uri(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        await TestServers.DropDatabaseAsync(ConnectionString);
    }

    public HttpClient Client(string? accessToken = null, string? forwardedFor = null)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = Address });
        if (accessToken is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (forwardedFor is not null) client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }

    public static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    public async Task<RegisteredUser> RegisterAsync(string? email = null, string password = Password, string name = "Test User")
    {
        var response = await Client().PostAsJsonAsync("/users", new { email = email ?? NewEmail(), password, name });
        await response.ShouldBeAsync(System.Net.HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<RegisteredUser>())!;
    }

    public async Task<TokenPair> LoginAsync(string email, string password = Password)
    {
        var response = await Client().PostAsJsonAsync("/tokens", new { email, password });
        await response.ShouldBeAsync(System.Net.HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<TokenPair>())!;
    }

    /// <summary>A new customer, logged in.</summary>
    public async Task<(RegisteredUser User, TokenPair Tokens)> CustomerAsync(bool verified = false)
    {
        var user = await RegisterAsync();
        if (verified)
        {
            var response = await Client().PostAsJsonAsync("/users/verification", new { email = user.Email, code = await LatestCodeAsync(user.Email) });
            await response.ShouldBeAsync(System.Net.HttpStatusCode.NoContent);
        }
        return (user, await LoginAsync(user.Email));
    }

    public Task<TokenPair> AdminAsync() => LoginAsync(AdminEmail, AdminPassword);

    /// <summary>The newest code the dev mailbox holds for <paramref name="email"/>.</summary>
    public async Task<string> LatestCodeAsync(string email) =>
        await QuerySingleAsync<string>("SELECT code FROM dev_mailbox WHERE email = @email ORDER BY id DESC LIMIT 1", new { email });

    public async Task<T> QuerySingleAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        return await connection.QuerySingleAsync<T>(sql, parameters);
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        return [.. await connection.QueryAsync<T>(sql, parameters)];
    }

    public Task<long> CountUsersAsync() => QuerySingleAsync<long>("SELECT count(*) FROM users");

    /// <summary>The credentials identity signs with right now, for forging tokens with its real key.</summary>
    public Task<SigningCredentials> SigningCredentialsAsync() =>
        Services.GetRequiredService<SigningKeyRing>().GetSigningCredentialsAsync(CancellationToken.None);
}

public static class ResponseAssertions
{
    /// <summary>Asserts the status, showing the body when it differs.</summary>
    public static async Task ShouldBeAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
            throw new Xunit.Sdk.XunitException(
                $"Expected {(int)expected} {expected} but got {(int)response.StatusCode} {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Asserts an RFC 9457 problem with the status, and returns its body.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        await response.ShouldBeAsync(expected);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().ShouldBe((int)expected);
        return problem;
    }

    /// <summary>The messages a validation problem gives for <paramref name="field"/>.</summary>
    public static string[] ErrorsFor(this JsonElement problem, string field) =>
        problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var messages)
            ? [.. messages.EnumerateArray().Select(m => m.GetString()!)]
            : [];
}
