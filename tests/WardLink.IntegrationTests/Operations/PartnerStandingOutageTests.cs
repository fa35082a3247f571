using System.Net;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.Pipeline;
using WardLink.Partners;
using WardLink.ServiceDefaults.Security;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Operations;

/// <summary>
/// The partners service refuses a suspended partner's token from the partner's record, not from what its messages say: with its
/// broker gone (behind a closed <see cref="TcpGate"/>), nothing it publishes arrives anywhere, and a partner suspended meanwhile
/// still read its webhooks at the service that had just suspended it (a directory kept from its own messages lagged its records).
/// </summary>
public sealed class PartnerStandingOutageTests(ServiceGroup services) : IClassFixture<ServiceGroup>, IAsyncLifetime
{
    private TcpGate? _broker;
    private ServiceHost<PartnersService>? _partners;

    private ServiceHost<PartnersService> PartnersHost => _partners!;

    public async ValueTask InitializeAsync()
    {
        var broker = new UriBuilder((await services.BrokerUserOfAsync(PartnersService.Name)).Broker);
        _broker = TcpGate.Start(broker.Host, broker.Port);
        broker.Port = _broker.Port;
        _partners = await services.StartAsync<PartnersService>(PartnersService.Name, settings: new Dictionary<string, string?> { ["ConnectionStrings:RabbitMq"] = broker.Uri.ToString() });
    }

    public async ValueTask DisposeAsync()
    {
        if (_partners is not null)
        {
            await services.StopAsync(_partners);
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_partner_suspended_while_the_broker_is_gone_is_refused_at_once_and_let_in_again_once_resumed()
    {
        var ct = TestContext.Current.CancellationToken;
        _broker!.Close();
        using var police = PartnersHost.CreateClient();
        var partnerId = await police.RegisterPartnerAsync("Quảng Thắng Secondary School");
        using var partner = PartnersHost.CreateClient().As(TestAuth.Token(WardLinkRoles.Partner, partnerId, audiences: [PartnersService.Name]));
        var webhooks = $"/partners/{partnerId}/webhooks";
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync(webhooks, ct)).StatusCode);

        var etag = await police.StepOkAsync($"/partners/{partnerId}/suspend", "\"1\"", new { reason = "Security desk being reorganised." });
        using (var refused = await partner.GetAsync(webhooks, ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains(PartnerOutOfStandingException.Reason, refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        await police.StepOkAsync($"/partners/{partnerId}/resume", etag);
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync(webhooks, ct)).StatusCode);
    }
}
