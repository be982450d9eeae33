// swift-tools-version:6.0
import PackageDescription

// One module per stage of the data flow (see docs/architecture.md):
// World -> Trainer -> Store -> Laws -> Fits -> Planner, with Sweeps driving them, and the CLI
// and the HTTP server on top.
let package = Package(
    name: "VisionMix",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "visionmix", targets: ["visionmix"]),
        .library(name: "VisionMix", targets: ["VisionMixCore", "Charts", "World", "Trainer", "Store", "Laws", "Fits", "Planner", "Sweeps"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        // Hummingbird's own dependency, named for its HTTP part types (ParserErrorAnswer).
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        // Hummingbird's own dependency, named for an event loop of the health port's own.
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
    ],
    targets: [
        .systemLibrary(name: "CNumerics", path: "Sources/CNumerics"),
        .target(name: "VisionMixCore"),
        .target(name: "Charts"),
        .target(name: "World", dependencies: ["VisionMixCore"]),
        .target(name: "Trainer", dependencies: ["World", "CNumerics"],
                swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        .target(name: "Store", dependencies: ["VisionMixCore", .product(name: "GRDB", package: "GRDB.swift")]),
        // Pure: points in, fitted law out. It never opens the store.
        .target(name: "Laws", dependencies: ["VisionMixCore", "CNumerics"]),
        // Fitting a source's stored runs and keeping the fits in the store.
        .target(name: "Fits", dependencies: ["Store", "Laws", "VisionMixCore"]),
        .target(name: "Planner", dependencies: ["Fits", "Laws", "Store", "CNumerics"]),
        .target(name: "Sweeps", dependencies: ["Trainer", "Store", "Laws", "Fits", "Planner", "Charts"]),
        // HTTP service over the same Store, Fits, Planner and Sweeps the CLI uses.
        .target(name: "Server", dependencies: [
            "VisionMixCore", "Store", "Laws", "Fits", "Planner", "Sweeps", "Charts",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .executableTarget(name: "visionmix", dependencies: [
            "VisionMixCore", "World", "Trainer", "Store", "Laws", "Fits", "Planner", "Sweeps", "Charts", "Server",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // One per-process scratch root for every test target's files, removed at exit.
        .target(name: "TestScratch", dependencies: [.product(name: "GRDB", package: "GRDB.swift")], path: "Tests/TestScratch"),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"]),
        .testTarget(name: "CoreTests", dependencies: ["VisionMixCore", "CNumerics"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestScratch", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "WorldTests", dependencies: ["World"]),
        .testTarget(name: "TrainerTests", dependencies: ["Trainer"]),
        .testTarget(name: "LawsTests", dependencies: ["Laws", "Fits", "Store", "TestScratch"]),
        // Test doubles shared by the planner's and the server's tests.
        .target(name: "PlannerTestSupport", dependencies: ["Planner", "VisionMixCore"], path: "Tests/PlannerTestSupport"),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "Laws", "Fits", "Store", "PlannerTestSupport", "TestScratch"]),
        // Talks raw HTTP to a real server on loopback; HummingbirdTesting would add
        // async-http-client to every CI build for nothing these tests need.
        .testTarget(name: "ServerTests", dependencies: ["Server", "Store", "Fits", "Laws", "Planner", "VisionMixCore", "PlannerTestSupport", "TestScratch"]),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps", "World", "TestScratch"]),
        .testTarget(name: "CLITests", dependencies: ["Store", "Fits", "Sweeps", "TestScratch", .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v5]
)
