using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Audit;

/// <summary>Outside Development a service does not start without the keys its checkpoints are signed and checked with.</summary>
public sealed class CheckpointKeyTests
{
    private static readonly string OtherServicesKey = TestAudit.PublicKeys["patrols"];

    [Theory]
    [InlineData("Audit:SigningKey", "", "Audit:SigningKey")]
    [InlineData("Audit:SigningKey", "not a key", "Audit:SigningKey")]
    [InlineData("Audit:SigningKey", "public", "Audit:SigningKey")]
    [InlineData("Audit:PublicKeys:patrols", "not a key", "Audit:PublicKeys")]
    public void Outside_Development_a_service_refuses_to_start_without_a_valid_checkpoint_key(string setting, string value, string named)
    {
        using var host = new ServiceHost<TipsService>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=nobody;Database=nothing",
            ["ConnectionStrings:RabbitMq"] = "amqp://nobody:nobody@127.0.0.1:1/",
            ["Tips:ContactKey"] = ServiceGroup.TipsContactKey,
            [setting] = value == "public" ? OtherServicesKey : value,
        });

        var failure = host.StartRefusal();

        Assert.NotNull(failure);
        Assert.Contains(named, failure, StringComparison.Ordinal);
    }
}
