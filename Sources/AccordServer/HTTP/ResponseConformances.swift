public import AccordCore
public import Hummingbird

// The API types live in AccordCore, which knows nothing of HTTP; here they become response bodies.
extension IssuedToken: ResponseEncodable {}
extension TokenInfo: ResponseEncodable {}
extension MeResponse: ResponseEncodable {}
extension Organization: ResponseEncodable {}
extension OrganizationDetail: ResponseEncodable {}
extension Member: ResponseEncodable {}
extension Membership: ResponseEncodable {}
extension Invitation: ResponseEncodable {}
extension Team: ResponseEncodable {}
extension RecordResponse: ResponseEncodable {}
extension RecordPage: ResponseEncodable {}
extension RecordHistory: ResponseEncodable {}
extension DecisionRight: ResponseEncodable {}
extension RightsCheckAnswer: ResponseEncodable {}
extension DefinitionSummary: ResponseEncodable {}
extension DefinitionDetail: ResponseEncodable {}
extension VersionView: ResponseEncodable {}
extension DefinitionDiff: ResponseEncodable {}
extension ReferenceIndex.Entry: ResponseEncodable {}
extension DecisionEntry: ResponseEncodable {}
extension InboxItem: ResponseEncodable {}
extension AuditPage: ResponseEncodable {}
extension DashboardView: ResponseEncodable {}
extension ImportReport: ResponseEncodable {}
extension StrategyBoard: ResponseEncodable {}
extension ReviewView: ResponseEncodable {}
extension AlignmentReport: ResponseEncodable {}
