/// The cross-functional teams an organization starts with; organizations may add their own.
public enum StandardTeam: String, CaseIterable, Sendable {
    case marketing = "Marketing"
    case sales = "Sales"
    case finance = "Finance"
    case revOps = "RevOps"
    case product = "Product"
    case customerSuccess = "Customer Success"
    case dataIT = "Data/IT"
}
