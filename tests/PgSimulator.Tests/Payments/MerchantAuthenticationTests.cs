using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Stampede.PgSimulator.Tests.Payments;

public sealed class MerchantAuthenticationTests(PgSim sim) : IClassFixture<PgSim>
{
    public static TheoryData<string> WrongCredentials() =>
    [
        "",
        "Basic " + Convert.ToBase64String("test_sk_wrong:"u8.ToArray()),
        "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(PgSim.SecretKey)),
        "Basic not-base64!!",
        "Bearer " + PgSim.SecretKey,
    ];

    [Theory]
    [MemberData(nameof(WrongCredentials))]
    public async Task Merchant_calls_without_the_right_secret_key_are_401(string authorization)
    {
        var client = sim.NewClient(null);
        if (authorization.Length > 0) client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);

        var create = await client.PostAsJsonAsync("/v1/payments", PgSim.NewPaymentBody(PgSim.NewOrderId()));
        var get = await client.GetAsync("/v1/payments/pk_anything");

        (await create.ProblemAsync(401)).Code().ShouldBe("UNAUTHORIZED_KEY");
        create.Headers.WwwAuthenticate.ShouldContain(new AuthenticationHeaderValue("Basic", "realm=\"pg-sim\""));
        (await get.ProblemAsync(401)).Code().ShouldBe("UNAUTHORIZED_KEY");
    }

    [Fact]
    public async Task A_refused_caller_creates_nothing()
    {
        var orderId = PgSim.NewOrderId();
        await sim.NewClient("test_sk_wrong").PostAsJsonAsync("/v1/payments", PgSim.NewPaymentBody(orderId));

        (await sim.Merchant.GetAsync($"/v1/payments/orders/{orderId}")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
    }
}
