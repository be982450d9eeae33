/// Every word the world writes. The vocabulary is built from these lists in a fixed order, so
/// token ids never depend on hashing or on which generator ran first.
public enum Lexicon {
    struct Topic { let nouns: [String]; let verbs: [String]; let adjectives: [String] }

    static func words(_ s: String) -> [String] { s.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init) }

    /// The largest number that has a token of its own; generators keep results below it.
    public static let maxNumber = 200

    static let people = words("anna ben mia tom lily sam nora leo ella max ruth omar")
    static let feelings = words("happy sad tired calm afraid proud angry glad")
    static let storyVerbs = words("walked ran went came turned hurried")
    static let weather = words("rain wind snow fog storm sun")

    static let webTopics: [Topic] = [
        Topic(nouns: words("team player match coach season goal"), verbs: words("wins loses plays beats joins"), adjectives: words("best young local final")),
        Topic(nouns: words("recipe soup dinner oven sauce meal"), verbs: words("needs makes serves cooks"), adjectives: words("easy hot fresh tasty")),
        Topic(nouns: words("phone laptop screen app battery update"), verbs: words("gets fixes needs runs"), adjectives: words("new fast cheap smart")),
        Topic(nouns: words("city hotel beach trip flight museum"), verbs: words("offers has shows opens"), adjectives: words("busy quiet famous sunny")),
        Topic(nouns: words("song band album concert singer"), verbs: words("plays starts ends makes"), adjectives: words("loud new live great")),
        Topic(nouns: words("market bank price store sale"), verbs: words("drops rises opens closes"), adjectives: words("big low high weekly")),
        Topic(nouns: words("doctor health sleep diet walk"), verbs: words("helps needs improves changes"), adjectives: words("good daily healthy long")),
        Topic(nouns: words("garden plant seed flower tree"), verbs: words("grows needs gets loses"), adjectives: words("green tall small wild")),
        Topic(nouns: words("game level story hero map"), verbs: words("has gives hides opens"), adjectives: words("hard fun dark secret")),
        Topic(nouns: words("school teacher class student lesson"), verbs: words("starts helps teaches ends"), adjectives: words("new early short open")),
    ]

    static let webHeaders = [
        "home | news | shop | contact", "posted by admin on monday", "share this page", "sign up for our weekly news",
        "click here to read more", "all rights reserved", "top ten list", "reviews ( 12 )", "free shipping on every order",
    ]

    static let academicOpeners = [
        "abstract . in this paper we study how people learn .", "introduction . this work asks a simple question .",
        "related work . many studies have looked at this problem .", "discussion . our results support the main idea .",
        "acknowledgements . we thank the reviewers for their help .",
    ]
    static let academicSentences = [
        "section 3 describes the method .", "the data were collected over two years .", "we follow the standard setup .",
        "this is left for future work .", "the code is available online .", "further work is needed .",
        "the theory predicts a clear effect .", "all participants gave consent .", "we use the same model as before .",
        "the main limits of the study are noted .", "this field has grown in recent years .",
    ]

    static let mathSentences = [
        "in this chapter we learn about numbers .", "a number is even if it can be split into two equal parts .",
        "try the exercises before you read the answers .", "the next chapter is about shapes .", "see the table of contents .",
        "we write the sum with a plus sign .", "practice makes the steps easy .", "the answers are at the end of the book .",
    ]

    static let codeComments = [
        "todo : clean this up", "read the config file", "this module reads the data", "copyright the authors", "do not edit",
        "helper for the main loop", "return early if empty", "fixed a bug here", "see the docs for details",
    ]

    /// Words used by templates in the generators and question families.
    static let templateWords = words("""
    . , ? ! : ; ( ) [ ] { } \" ' = + - == > < += # _ | * /
    a an the is are was were be it its this that these there they we you he she his her their our of in on at to
    and or not no yes if then so by as for from with into over under near next left right above below top bottom
    middle center centre inside outside before after more most less fewer than same equal larger smaller bigger
    largest smallest biggest many much few each every all some none one two three four five six seven eight nine ten
    what which who where how count counted counting counts tally total sum running so far find compare add take away
    taken left appears appear times members group lists has have had make makes made gets get came come more now
    then said say says smiled took stopped looked around room morning light saw see door table book wrote
    kind found often keep keeps known people most call called tell can could by look looks like looking shape shapes
    colour color size sides side corners corner long short round turned its picture photo image page product buyers
    shaped drawn draw shows figure stimulus appearance history word very old named books common country used years
    see also notes results measured samples maximum definition set small if fewer lemma proof method analysis table
    problem compute step answer given how now geometry chapter exercise true false other both equal as many
    question options option answer letter digit digits number numbers bar bars chart tallest shortest highest lowest
    value values read written spelled says word words image shows object objects thing things present missing
    there colour caption item items list step steps is_present
    forum post can someone check my steps tip of the day quick help comment price shipping pay
    say think like love need want here read about week day did not word home go should
    felt length them too compared with empty written
    asked know night sleep thinking ago lived dog friend uncle aunt
    """)

    static let codeWords = words("""
    xs items values data nums total x for in print output trace def best return elif else s n len count
    big none kept after each letters appears times shape size colour draw y import os sys json time math log
    load save main run setup path name config args open true class reader writer server client pass
    """)

    static let numberWords = (0...maxNumber).map(String.init)

    /// The whole vocabulary, in id order (after the special tokens).
    public static let all: [String] = {
        var w = numberWords
        w += Array("abcdefghijklmnopqrstuvwxyz").map(String.init)
        w += templateWords + codeWords
        w += Shape.allCases.map(\.rawValue) + Colour.allCases.map(\.rawValue) + Size.allCases.map(\.rawValue)
        w += Entities.all.map(\.name) + Entities.kinds + Entities.traits + Entities.places
        w += people + feelings + storyVerbs + weather
        for t in webTopics { w += t.nouns + t.verbs + t.adjectives }
        for list in [webHeaders, academicOpeners, academicSentences, mathSentences, codeComments] { w += list.flatMap(words) }
        return w
    }()
}
