using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.Tips;

public sealed class TipContactKeyTests
{
    [Theory]
    [InlineData("")]
    [InlineData("dG9vIHNob3J0")]
    [InlineData("not base64 at all")]
    public void Outside_Development_the_tips_service_refuses_to_start_without_a_valid_contact_key(string key)
    {
        using var host = new ServiceHost<TipsService>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=nobody;Database=nothing",
            ["ConnectionStrings:RabbitMq"] = "amqp://nobody:nobody@127.0.0.1:1/",
            ["Tips:ContactKey"] = key,
        });

        var failure = host.StartRefusal();

        Assert.NotNull(failure);
        Assert.Contains("Tips:ContactKey", failure, StringComparison.Ordinal);
    }
}
