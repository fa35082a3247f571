using JasperFx.Events;
using WardLink.EventSourcing.Relay;
using Contract = WardLink.Contracts.Partners;
using Jurisdiction = WardLink.Contracts.Wards;

namespace WardLink.Partners;

/// <summary>
/// What the partners service tells the others (and its own webhook fan-out): who is in the linkage,
/// whether they are in good standing (suspended or resumed), where their sites are, which cameras watch them, and which action items are overdue. Contacts,
/// item texts and the reasons given for changes stay inside. And the wards: each change with its
/// stream's version after it, so a directory never lets an older change overwrite a newer one.
/// </summary>
public sealed class PartnersIntegrationEvents : IIntegrationEventMap
{
    public object? ToMessage(IEvent recorded) => recorded.Data switch
    {
        PartnerRegistered partner => new Contract.PartnerRegistered(partner.PartnerId, partner.Name, partner.Kind, partner.RegisteredAt),
        PartnerChanged partner => new Contract.PartnerChanged(partner.PartnerId, partner.Name, partner.Kind, partner.At),
        PartnerSuspended partner => new Contract.PartnerStandingChanged(partner.PartnerId, false, partner.At, recorded.Version),
        PartnerResumed partner => new Contract.PartnerStandingChanged(partner.PartnerId, true, partner.At, recorded.Version),
        PartnerLeft partner => new Contract.PartnerLeft(partner.PartnerId, partner.At),
        SiteRegistered site => new Contract.SiteRegistered(site.SiteId, site.PartnerId, site.Name, site.Kind, site.Latitude, site.Longitude, site.RegisteredAt),
        SiteUpdated site => new Contract.SiteUpdated(site.SiteId, site.PartnerId, site.Name, site.Kind, site.Latitude, site.Longitude, site.At, recorded.Version),
        SiteRetired site => new Contract.SiteRetired(site.SiteId, site.PartnerId, site.At, recorded.Version),
        CameraApproved camera => new Contract.CameraApproved(camera.CameraId, camera.SiteId, camera.PartnerId, camera.At),
        CameraInstalled camera => new Contract.CameraInstalled(camera.CameraId, camera.SiteId, camera.PartnerId, camera.At),
        CameraDecommissioned camera => new Contract.CameraDecommissioned(camera.CameraId, camera.SiteId, camera.PartnerId, camera.At),
        ActionItemOverdue overdue => new Contract.ActionItemOverdue(overdue.MeetingId, overdue.ItemId, overdue.OwnerPartnerId, overdue.DueAt, overdue.At),
        WardEstablished ward => new Jurisdiction.WardEstablished(ward.WardId, ward.Code, ward.Name, ward.Province, ward.EstablishedOn, ward.At, recorded.Version),
        WardRenamed ward => new Jurisdiction.WardRenamed(ward.WardId, ward.Name, ward.EffectiveOn, ward.At, recorded.Version),
        WardMerged ward => new Jurisdiction.WardMerged(ward.WardId, ward.IntoWardId, ward.EffectiveOn, ward.At, recorded.Version),
        WardDissolved ward => new Jurisdiction.WardDissolved(ward.WardId, ward.EffectiveOn, ward.At, recorded.Version),
        _ => null,
    };
}
