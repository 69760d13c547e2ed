"""Demo complaints for a shoe and sportswear shop, written as customers write them, in each served language."""

STORIES: dict[str, list[tuple[str, str]]] = {
    "en": [
        (
            "Wrong size delivered",
            "I ordered the trail runners in 43 and got a 41. I need them for a race on Saturday, what now?",
        ),
        (
            "Parcel never arrived",
            "Tracking has said 'out for delivery' for six days. Nobody answers the phone. Where is my order?",
        ),
        (
            "Sole came off after two weeks",
            "The sole of my hiking boots came off after two weeks of normal walking. Photos attached.",
        ),
        ("Charged twice", "My card was charged twice for the same order. Please refund the second payment."),
        (
            "Website down during the sale",
            "Your site was down for three hours during the sale and the discount was gone when it came back.",
        ),
        (
            "Rude shop assistant",
            "The assistant in the city centre store laughed at my question about returns and walked away.",
        ),
        (
            "Refund still missing",
            "I returned the jacket a month ago, you confirmed receipt, and I still have not got my money back.",
        ),
        ("Left waiting an hour", "I booked a running gait analysis for 10:00 and waited an hour. Nobody apologised."),
    ],
    "ru": [
        (
            "Прислали не тот размер",
            "Заказывал кроссовки 42 размера, пришли 40. Подарок на день рождения сорван. Что будете делать?",
        ),
        ("Заказ не доставлен", "Прошло уже две недели, заказ так и не пришёл, а телефон поддержки найти невозможно."),
        ("Брак куртки", "Молния на новой куртке сломалась в первый же день. Хочу замену или возврат денег."),
        ("Двойное списание", "С карты дважды списали оплату за один заказ. Верните, пожалуйста, лишнее."),
        ("Сайт не работал", "Сайт не открывался весь вечер, я так и не смог оформить заказ со скидкой."),
        ("Грубый продавец", "Продавец попросила меня подождать на улице, а там минус тридцать. Это недопустимо."),
        ("Возврат денег", "Вернул обувь три недели назад, деньги до сих пор не пришли."),
        ("Долгое ожидание", "Простоял в очереди на кассе сорок минут, работала одна касса из пяти."),
    ],
    "bg": [
        ("Грешен номер обувки", "Поръчах маратонки номер 44, а получих 42. Трябват ми за състезание в неделя."),
        (
            "Пратката не е пристигнала",
            "Поръчката ми не е пристигнала вече десет дни, а не мога да открия телефон за контакт.",
        ),
        ("Скъсана подметка", "Подметката на новите ми обувки се отлепи след седмица. Искам да ги сменя."),
        ("Двойно плащане", "Таксувахте картата ми два пъти за една и съща поръчка. Моля, върнете парите."),
        ("Сайтът не работеше", "Сайтът беше недостъпен три часа и пропуснах намалението."),
        ("Неучтив служител", "Служителката в магазина ми говореше грубо и отказа да ми помогне с връщането."),
        ("Не сте ми върнали парите", "Върнах якето преди месец и все още нямам възстановена сума."),
        ("Чаках твърде дълго", "Чаках на касата половин час, работеше само една каса."),
    ],
    "sr": [
        ("Погрешна величина", "Наручио сам патике број 43, а стигле су 41. Потребне су ми за трку у суботу."),
        ("Пошиљка није стигла", "Наруџбина није стигла ни после две недеље, а нико се не јавља на телефон."),
        ("Оштећена роба", "Рајсфершлус на новој јакни се покварио првог дана. Желим замену."),
        ("Дупло наплаћено", "Картица ми је задужена два пута за исту наруџбину. Молим вас да вратите новац."),
        ("Сајт није радио", "Сајт није радио цело вече и нисам успео да искористим попуст."),
        ("Нељубазан продавац", "Продавац ми је рекао да сачекам напољу, а било је минус десет."),
    ],
    "sr-latn": [
        ("Pogrešna veličina", "Naručila sam patike broj 38, a stigle su 40. Šta sada da radim?"),
        ("Pošiljka kasni", "Čekam pošiljku već deset dana, a praćenje pokazuje da je još u magacinu."),
        ("Đon se odlepio", "Đon na novim cipelama se odlepio posle nedelju dana nošenja. Želim povraćaj novca."),
        ("Novac nije vraćen", "Vratio sam jaknu pre mesec dana i još uvek nisam dobio novac nazad."),
        ("Predugo čekanje", "Čekao sam sat vremena na kasi, radila je samo jedna kasa."),
        ("Aplikacija ne radi", "Aplikacija se ruši čim pokušam da platim. Pokušao sam pet puta."),
    ],
    "sk": [
        ("Nesprávna veľkosť", "Objednal som si bežecké topánky veľkosti 43 a prišli mi 41. Potrebujem ich na sobotu."),
        ("Zásielka neprišla", "Objednávka nedorazila ani po dvoch týždňoch a nikto nedvíha telefón."),
        ("Poškodený tovar", "Podrážka sa odlepila po týždni nosenia. Chcem výmenu alebo vrátenie peňazí."),
        ("Dvojitá platba", "Z karty mi dvakrát strhli platbu za tú istú objednávku."),
        ("Nefunkčná stránka", "Vaša stránka nefungovala tri hodiny a zľava medzitým skončila."),
        ("Nepríjemná predavačka", "Predavačka bola drzá a odmietla mi pomôcť s reklamáciou."),
        ("Peniaze nevrátené", "Tovar som vrátila pred mesiacom a peniaze stále nemám."),
    ],
}

NAMES: dict[str, list[str]] = {
    "en": ["Emma Clarke", "James Patel", "Olivia Brown", "Noah Wilson"],
    "ru": ["Иван Петров", "Мария Смирнова", "Алексей Кузнецов", "Ольга Иванова"],
    "bg": ["Георги Димитров", "Мария Петрова", "Иван Стоянов", "Елена Георгиева"],
    "sr": ["Марко Јовановић", "Јелена Петровић", "Никола Илић"],
    "sr-latn": ["Ana Nikolić", "Stefan Marković", "Milica Đorđević"],
    "sk": ["Ján Novák", "Zuzana Kováčová", "Peter Horváth", "Lucia Vargová"],
}

REMEDIES: dict[str, list[str]] = {
    "en": ["The right size before Saturday", "A refund", ""],
    "ru": ["Обмен на правильный размер", "Вернуть деньги", ""],
    "bg": ["Замяна с правилния номер", "Връщане на парите", ""],
    "sr": ["Замена за прави број", "Повраћај новца", ""],
    "sr-latn": ["Zamena za pravi broj", "Povraćaj novca", ""],
    "sk": ["Výmena za správnu veľkosť", "Vrátenie peňazí", ""],
}

REPLIES: dict[str, str] = {
    "en": "We are very sorry, {name}. This was our mistake. We have sent the right pair by express courier today.",
    "ru": "{name}, приносим извинения, это наша ошибка. Сегодня отправили правильную пару курьером.",
    "bg": "{name}, много съжаляваме, грешката е наша. Днес изпратихме правилния чифт с куриер.",
    "sr": "{name}, извините, грешка је наша. Данас смо послали прави пар курирском службом.",
    "sr-latn": "{name}, izvinite, greška je naša. Danas smo poslali pravi par kurirskom službom.",
    "sk": "{name}, veľmi sa ospravedlňujeme, chyba je na našej strane. Dnes sme poslali správny pár kuriérom.",
}
