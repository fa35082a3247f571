using JasperFx.Events;
using WardLink.ServiceDefaults.Relay;
using Contract = WardLink.Contracts.Partners;

namespace WardLink.Partners;

/// <summary>What the partners service tells the others: who joined the linkage and where their sites are.</summary>
public sealed class PartnersIntegrationEvents : IIntegrationEventMap
{
    public object? ToMessage(IEvent recorded) => recorded.Data switch
    {
        PartnerRegistered partner => new Contract.PartnerRegistered(partner.PartnerId, partner.Name, partner.Kind, partner.RegisteredAt),
        SiteRegistered site => new Contract.SiteRegistered(site.SiteId, site.PartnerId, site.Name, site.Kind, site.Latitude, site.Longitude, site.RegisteredAt),
        _ => null,
    };
}
