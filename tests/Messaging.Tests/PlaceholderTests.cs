namespace Stampede.Messaging.Tests;
public class PlaceholderTests { [Xunit.Fact] public void Builds() => Shouldly.ShouldBeTestExtensions.ShouldBe(1 + 1, 2); }
