using Stampede.Identity.Addresses;

namespace Stampede.Identity.Tests.Addresses;

public sealed class AddressTests(IdentityApp app) : IClassFixture<IdentityApp>
{
    private static object NewAddress(string recipient, bool? isDefault = null) => new
    {
        recipient,
        phone = "+82 10-1234-5678",
        line1 = "1 Sejong-daero",
        line2 = (string?)null,
        city = "Seoul",
        postalCode = "04524",
        country = "kr",
        isDefault,
    };

    private static async Task<Address> AddAsync(HttpClient client, string recipient, bool? isDefault = null)
    {
        var response = await client.PostAsJsonAsync("/users/me/addresses", NewAddress(recipient, isDefault));
        await response.ShouldBeAsync(HttpStatusCode.Created);
        response.Headers.Location!.OriginalString.ShouldStartWith("addresses/");
        return (await response.Content.ReadFromJsonAsync<Address>())!;
    }

    private static async Task<List<Address>> ListAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<Address>>("/users/me/addresses"))!;

    private async Task<HttpClient> CustomerClientAsync() => app.Client((await app.CustomerAsync()).Tokens.AccessToken);

    [Fact]
    public async Task The_first_address_becomes_the_default_and_later_ones_do_not()
    {
        var client = await CustomerClientAsync();

        var home = await AddAsync(client, "Home");
        var office = await AddAsync(client, "Office");

        home.IsDefault.ShouldBeTrue();
        home.Country.ShouldBe("KR");
        office.IsDefault.ShouldBeFalse();
        (await ListAsync(client)).Select(a => (a.Recipient, a.IsDefault)).ShouldBe([("Home", true), ("Office", false)]);
    }

    [Fact]
    public async Task Adding_an_address_as_default_moves_the_default()
    {
        var client = await CustomerClientAsync();
        await AddAsync(client, "Home");

        var office = await AddAsync(client, "Office", isDefault: true);

        office.IsDefault.ShouldBeTrue();
        (await ListAsync(client)).Single(a => a.IsDefault).Id.ShouldBe(office.Id);
    }

    [Fact]
    public async Task Making_an_address_the_default_leaves_exactly_one_default()
    {
        var client = await CustomerClientAsync();
        await AddAsync(client, "Home");
        var office = await AddAsync(client, "Office");

        var response = await client.PostAsync($"/users/me/addresses/{office.Id}/default", null);

        await response.ShouldBeAsync(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<Address>())!.IsDefault.ShouldBeTrue();
        (await ListAsync(client)).Where(a => a.IsDefault).Select(a => a.Id).ShouldBe([office.Id]);
    }

    [Fact]
    public async Task Deleting_the_default_promotes_the_oldest_remaining_address()
    {
        var client = await CustomerClientAsync();
        var home = await AddAsync(client, "Home");
        var office = await AddAsync(client, "Office");
        await AddAsync(client, "Cabin");

        await (await client.DeleteAsync($"/users/me/addresses/{home.Id}")).ShouldBeAsync(HttpStatusCode.NoContent);

        var remaining = await ListAsync(client);
        remaining.Count.ShouldBe(2);
        remaining.Single(a => a.IsDefault).Id.ShouldBe(office.Id);
        await (await client.DeleteAsync($"/users/me/addresses/{home.Id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Updating_replaces_every_field_and_keeps_the_default()
    {
        var client = await CustomerClientAsync();
        var home = await AddAsync(client, "Home");

        var response = await client.PutAsJsonAsync($"/users/me/addresses/{home.Id}", new
        {
            recipient = "New Home", phone = "(02) 555-0100", line1 = "2 Jong-ro", line2 = "Apt 301", city = "Busan", postalCode = "48058", country = "KR",
        });

        await response.ShouldBeAsync(HttpStatusCode.OK);
        var updated = (await client.GetFromJsonAsync<Address>($"/users/me/addresses/{home.Id}"))!;
        updated.ShouldBe((await response.Content.ReadFromJsonAsync<Address>())!);
        (updated.Recipient, updated.Line2, updated.City, updated.IsDefault).ShouldBe(("New Home", "Apt 301", "Busan", true));
    }

    [Fact]
    public async Task Another_user_can_neither_see_nor_change_my_address()
    {
        var mine = await CustomerClientAsync();
        var address = await AddAsync(mine, "Home");
        var stranger = await CustomerClientAsync();
        await AddAsync(stranger, "Stranger's home");

        await (await stranger.GetAsync($"/users/me/addresses/{address.Id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PutAsJsonAsync($"/users/me/addresses/{address.Id}", NewAddress("Hijacked"))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.PostAsync($"/users/me/addresses/{address.Id}/default", null)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.DeleteAsync($"/users/me/addresses/{address.Id}")).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await ListAsync(stranger)).ShouldNotContain(a => a.Id == address.Id);
        (await ListAsync(mine)).Single().ShouldBe(address);
    }

    [Fact]
    public async Task A_user_may_keep_at_most_twenty_addresses()
    {
        var client = await CustomerClientAsync();
        for (var i = 0; i < 20; i++) await AddAsync(client, $"Address {i}");

        var response = await client.PostAsJsonAsync("/users/me/addresses", NewAddress("One too many"));

        (await response.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("detail").GetString()!.ShouldContain("20");
        (await ListAsync(client)).Count.ShouldBe(20);
    }

    [Fact]
    public async Task Concurrent_first_addresses_still_leave_exactly_one_default()
    {
        var client = await CustomerClientAsync();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => AddAsync(client, $"Parallel {i}")));

        var addresses = await ListAsync(client);
        addresses.Count.ShouldBe(6);
        addresses.Count(a => a.IsDefault).ShouldBe(1);
    }

    [Fact]
    public async Task Addresses_need_a_signed_in_user()
    {
        await (await app.Client().GetAsync("/users/me/addresses")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await app.Client().PostAsJsonAsync("/users/me/addresses", NewAddress("Anonymous"))).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }
}
