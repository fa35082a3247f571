using WardLink.Incidents;
using WardLink.Partners;
using WardLink.Patrols;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.IntegrationTests.BadInput;

public sealed class TipsBadInputTests(ServiceFixture<TipsService> tips) : BadInputSuite<TipsService>(tips);

public sealed class IncidentsBadInputTests(ServiceFixture<IncidentsService> incidents) : BadInputSuite<IncidentsService>(incidents);

public sealed class PatrolsBadInputTests(ServiceFixture<PatrolsService> patrols) : BadInputSuite<PatrolsService>(patrols);

public sealed class PartnersBadInputTests(ServiceFixture<PartnersService> partners) : BadInputSuite<PartnersService>(partners);
