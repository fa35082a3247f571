namespace WardLink.Simulator;

public sealed record DemoPartner(Guid Id, string Name, string Kind, string Site, string SiteKind, double Latitude, double Longitude, string[] Duties);

/// <summary>
/// The programme's partners (DESIGN.md §1), each with one site near 19.80 N 105.77 E, as deploy/demo-data.sh loads them,
/// under the ids the development partner clients are bound to (gateway/WardLink.Gateway/appsettings.Development.json).
/// </summary>
public static class Demo
{
    /// <summary>When every partner joined: the linkage was launched in April 2023.</summary>
    public static readonly DateTimeOffset JoinedOn = new(2023, 4, 12, 8, 0, 0, Programme.WardOffset);

    public static IReadOnlyList<DemoPartner> Partners { get; } =
    [
        new(Guid.Parse("0195d000-0000-7000-8000-000000000001"), "Quảng Thắng Ward People's Committee", "wardCommittee", "Ward People's Committee office", "office", 19.8046, 105.7826, ["informationExchange", "idCardDrives"]),
        new(Guid.Parse("0195d000-0000-7000-8000-000000000002"), "Quảng Thắng Ward Police", "police", "Ward police station", "office", 19.8052, 105.7810, ["jointPatrols", "informationExchange", "temporaryResidenceTracking", "legalOutreach", "idCardDrives"]),
        new(Guid.Parse("0195d000-0000-7000-8000-000000000003"), "Thanh Hóa Provincial Political School", "school", "Political School main gate", "gate", 19.8010, 105.7790, ["informationExchange", "cameraSites"]),
        new(Guid.Parse("0195d000-0000-7000-8000-000000000004"), "Thanh Hóa City Vocational and Continuing Education Centre", "school", "Education Centre gate", "gate", 19.8075, 105.7740, ["informationExchange", "cameraSites"]),
        new(Guid.Parse("0195d000-0000-7000-8000-000000000005"), "Thanh Hóa Obstetrics Hospital", "hospital", "Obstetrics hospital gate and car park", "hospitalArea", 19.8069, 105.7765, ["jointPatrols", "informationExchange", "cameraSites"]),
        new(Guid.Parse("0195d000-0000-7000-8000-000000000006"), "Thanh Hóa Eye Hospital", "hospital", "Eye hospital car park", "hospitalArea", 19.8031, 105.7752, ["jointPatrols", "informationExchange", "cameraSites"]),
        new(Guid.Parse("0195d000-0000-7000-8000-000000000007"), "Thanh Hóa Endocrinology Hospital", "hospital", "Endocrinology hospital inpatient block", "hospitalArea", 19.7990, 105.7725, ["jointPatrols", "informationExchange", "cameraSites"]),
        new(Guid.Parse("0195d000-0000-7000-8000-000000000008"), "Thanh Hóa Dermatology Hospital", "hospital", "Dermatology hospital waiting area", "hospitalArea", 19.8085, 105.7698, ["jointPatrols", "informationExchange", "cameraSites"]),
        new(Guid.Parse("0195d000-0000-7000-8000-000000000009"), "Thanh Hóa Psychiatric Hospital", "hospital", "Psychiatric hospital east fence", "hospitalArea", 19.7965, 105.7770, ["jointPatrols", "informationExchange", "cameraSites"]),
        new(Guid.Parse("0195d000-0000-7000-8000-000000000010"), "Thanh Hóa Provincial Centre for Disease Control", "healthCentre", "CDC vaccination hall", "campus", 19.8100, 105.7760, ["jointPatrols", "informationExchange"]),
        new(Guid.Parse("0195d000-0000-7000-8000-000000000011"), "Quảng Thắng taxi and motorbike-taxi drivers' group", "transportGroup", "Taxi stand at the Obstetrics hospital", "wardArea", 19.8066, 105.7770, ["informationExchange"]),
        new(Guid.Parse("0195d000-0000-7000-8000-000000000012"), "Veterans' school-gate team", "veteransTeam", "Political School gate crossing", "wardArea", 19.8012, 105.7793, ["schoolGateGuard"]),
    ];
}
