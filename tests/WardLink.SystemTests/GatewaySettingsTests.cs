using WardLink.Gateway;
using WardLink.Testing;

namespace WardLink.SystemTests;

/// <summary>
/// A gateway given a setting it cannot serve by refuses to start and names the setting (deploy/README.md), rather than
/// starting with a limit of nothing, an origin no browser sends or a client no token can be issued to. Each case changes
/// one setting of a configuration that starts, so the refusal is that setting's.
/// </summary>
public sealed class GatewaySettingsTests
{
    /// <summary>A value of every setting the cases below change, each one the gateway serves by.</summary>
    private static readonly Dictionary<string, string?> Served = new()
    {
        ["Cors:Origins:0"] = "https://dashboard.ward.example",
        ["Cors:Origins:1"] = "http://localhost:5173",
        ["RateLimits:AnonymousInFlight"] = "1",
        ["RateLimits:PartnerInFlight"] = "1",
        ["RateLimits:PerClient:PermitLimit"] = "1",
        ["RateLimits:PerClient:Window"] = "1.00:00:00",
        ["RateLimits:PublicTips:Window"] = "00:00:01",
        [$"{PartnerStandingOptions.Section}:CacheFor"] = "00:01:00",
        [$"{PartnerStandingOptions.Section}:Timeout"] = "00:00:00.001",
        ["Admission:MaxInFlight"] = "1",
        ["Admission:MaxQueued"] = "0",
    };

    [Fact]
    public void The_gateway_starts_with_every_setting_at_the_edge_of_what_it_serves_by()
    {
        using var gateway = new ServiceHost<GatewayService>(Settings(Served));

        Assert.Null(gateway.StartRefusal());
    }

    [Theory]
    [InlineData("Cors:Origins:1", "https://dashboard.ward.example/", "Cors:Origins")]
    [InlineData("Cors:Origins:1", "*", "Cors:Origins")]
    [InlineData("Cors:Origins:1", "null", "Cors:Origins")]
    [InlineData("Cors:Origins:1", "http://dashboard.ward.example", "Cors:Origins")]
    [InlineData("Cors:Origins:1", "https://Dashboard.ward.example", "Cors:Origins")]
    [InlineData("RateLimits:AnonymousInFlight", "0", "RateLimits:AnonymousInFlight")]
    [InlineData("RateLimits:PartnerInFlight", "-1", "RateLimits:PartnerInFlight")]
    [InlineData("RateLimits:PerClient:PermitLimit", "0", "RateLimits:PerClient")]
    [InlineData("RateLimits:PerClient:PermitLimit", "many", "RateLimits:PerClient:PermitLimit")]
    [InlineData("RateLimits:PerClient:Window", "1.00:00:01", "RateLimits:PerClient")]
    [InlineData("RateLimits:PublicTips:Window", "00:00:00.999", "RateLimits:PublicTips")]
    [InlineData("Gateway:PartnerStanding:CacheFor", "00:01:00.001", "Gateway:PartnerStanding:CacheFor")]
    [InlineData("Gateway:PartnerStanding:Timeout", "00:00:00", "Gateway:PartnerStanding:Timeout")]
    [InlineData("Admission:MaxInFlight", "0", "Admission:MaxInFlight")]
    [InlineData("Admission:MaxQueued", "-1", "Admission:MaxInFlight must be at least 1, MaxQueued at least 0")]
    [InlineData("Auth:Clients:test-police:Role", "sheriff", "Auth:Clients:test-police:Role")]
    [InlineData("Auth:Clients:test-police:SecretHash", "test-police-secret", "Auth:Clients:test-police:SecretHash")]
    [InlineData("Auth:Clients:test-police:PartnerId", "3f1c2e7a-0000-4000-8000-000000000001", "Auth:Clients:test-police: a partner client names its PartnerId")]
    public void A_setting_the_gateway_cannot_serve_by_stops_it_at_start_naming_the_setting(string key, string value, string named)
    {
        using var gateway = new ServiceHost<GatewayService>(Settings(new Dictionary<string, string?>(Served) { [key] = value }));

        var failure = gateway.StartRefusal();

        Assert.NotNull(failure);
        Assert.Contains(named, failure, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(IReadOnlyDictionary<string, string?> changed)
    {
        var settings = WardLinkSystem.GatewaySettings().ToDictionary(setting => setting.Key, setting => setting.Value);
        foreach (var (key, value) in changed)
        {
            settings[key] = value;
        }

        return settings;
    }
}
