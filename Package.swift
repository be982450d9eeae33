// swift-tools-version:6.0
import PackageDescription

// One module per stage of the data flow (see docs/architecture.md):
// World -> Trainer -> Store -> Laws -> Planner, with Sweeps driving them and the CLI on top.
let package = Package(
    name: "VisionMix",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "visionmix", targets: ["visionmix"]),
        .library(name: "VisionMix", targets: ["VisionMixCore", "Charts", "World", "Trainer", "Store", "Laws", "Planner", "Sweeps"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
    ],
    targets: [
        .systemLibrary(name: "CNumerics", path: "Sources/CNumerics"),
        .target(name: "VisionMixCore"),
        .target(name: "Charts"),
        .target(name: "World", dependencies: ["VisionMixCore"]),
        .target(name: "Trainer", dependencies: ["World", "CNumerics"],
                swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        .target(name: "Store", dependencies: ["VisionMixCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Laws", dependencies: ["Store", "CNumerics"]),
        .target(name: "Planner", dependencies: ["Laws", "Store", "CNumerics"]),
        .target(name: "Sweeps", dependencies: ["Trainer", "Store", "Laws", "Planner", "Charts"]),
        // HTTP service over the same Store, Laws and Planner the CLI uses (issue 9).
        .target(name: "Server", dependencies: [
            "VisionMixCore", "Store", "Laws", "Planner", "Sweeps", "Charts", "Trainer",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .executableTarget(name: "visionmix", dependencies: [
            "VisionMixCore", "World", "Trainer", "Store", "Laws", "Planner", "Sweeps", "Charts", "Server",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // One per-process scratch root for every test target's files, removed at exit.
        .target(name: "TestScratch", path: "Tests/TestScratch"),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"]),
        .testTarget(name: "CoreTests", dependencies: ["VisionMixCore", "CNumerics"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestScratch", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "WorldTests", dependencies: ["World"]),
        .testTarget(name: "TrainerTests", dependencies: ["Trainer"]),
        .testTarget(name: "LawsTests", dependencies: ["Laws", "TestScratch"]),
        // Test doubles shared by the planner's and the server's tests.
        .target(name: "PlannerTestSupport", dependencies: ["Planner", "VisionMixCore"], path: "Tests/PlannerTestSupport"),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "Laws", "Store", "PlannerTestSupport", "TestScratch"]),
        // Talks raw HTTP to a real server on loopback; HummingbirdTesting would add
        // async-http-client to every CI build for nothing these tests need.
        .testTarget(name: "ServerTests", dependencies: ["Server", "Store", "Planner", "VisionMixCore", "PlannerTestSupport", "TestScratch"]),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps", "World", "TestScratch"]),
        .testTarget(name: "CLITests", dependencies: ["Store", "Sweeps", "TestScratch", .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v5]
)
