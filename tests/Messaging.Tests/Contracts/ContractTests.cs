using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shouldly;
using Stampede.Contracts;
using Stampede.Messaging.Tests.Infrastructure;

namespace Stampede.Messaging.Tests.Contracts;

public sealed partial class ContractTests
{
    private static readonly Type[] Events = [.. typeof(IntegrationEvent).Assembly.GetTypes()
        .Where(type => type.IsSubclassOf(typeof(IntegrationEvent)) && !type.IsAbstract)];

    [Fact]
    public void Every_contract_event_has_a_unique_versioned_name()
    {
        Events.ShouldNotBeEmpty();
        foreach (var type in Events)
        {
            type.GetCustomAttribute<EventNameAttribute>().ShouldNotBeNull($"{type.Name} needs [EventName]");
            VersionedName().IsMatch(EventNames.Of(type)).ShouldBeTrue($"{type.Name}: '{EventNames.Of(type)}' is not area.fact-name.vN");
        }

        Events.Select(EventNames.Of).ShouldBeUnique();
    }

    [Fact]
    public void A_consumer_ignores_fields_it_does_not_know()
    {
        var sent = new ThingHappened(5);
        var newerProducerBody = JsonSerializer.Serialize(sent, MessagingJson.Options).TrimEnd('}') + ""","addedLater":{"x":1}}""";

        var received = JsonSerializer.Deserialize<ThingHappened>(newerProducerBody, MessagingJson.Options);

        received.ShouldBe(sent);
    }

    [GeneratedRegex(@"^[a-z]+(-[a-z]+)*\.[a-z]+(-[a-z]+)*\.v[0-9]+$")]
    private static partial Regex VersionedName();
}
